// The defects planted in a candidate image (CMSHA_PLANT): read once at start, checked, and handed to the machines
// that carry them. A stand-in built without the build argument has none and behaves as DESIGN.md says.

import { PLANT_ENV, PLANT_NAMES, type Plant } from '../protocol/index.js';

export type Plants = ReadonlySet<Plant>;

export const NO_PLANTS: Plants = new Set();

/** The image's planted defects; an unknown name stops the stand-in with the list of known ones. */
export function readPlants(env: NodeJS.ProcessEnv = process.env): Plants {
  const names = (env[PLANT_ENV] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !(PLANT_NAMES as string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`${PLANT_ENV}: ${unknown.map((n) => JSON.stringify(n)).join(', ')} is not a plant; known: ${PLANT_NAMES.join(', ')}`);
  return new Set(names as Plant[]);
}
