// Tests of the wire checks for the messages whose shape carries the HA and Admin-Sync decisions.

import { expect } from 'chai';
import { encodeWire, parseWire, type WireMsg } from './wire.js';

describe('wire messages', () => {
  it('round-trips heartbeat and Admin-Sync messages', () => {
    const msgs: WireMsg[] = [
      { t: 'hb', beat: 3, fromRole: 'ACTIVE', primaryLost: true, roleSeq: 2, epoch: 'e1' },
      { t: 'hb-ans', beat: 3, role: 'ACTIVE', demandStandby: true },
      { t: 'hb-ans', beat: 4, role: 'STANDBY', resumeActive: true },
      { t: 'as-hello', node: 'cms-secondary', role: 'STANDBY', lastApplied: 4 },
      { t: 'as-change', origin: 'cms-secondary', seq: 5, change: 'add vdn 1' },
      { t: 'as-ack', origin: 'cms-primary', seq: 5 },
    ];
    for (const m of msgs) expect(parseWire(encodeWire(m).trim())).to.deep.equal(m);
  });

  it('drops a heartbeat without primaryLost, roleSeq or epoch, and Admin-Sync messages without a CMS origin', () => {
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY"}')).to.equal(null);
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY","primaryLost":false,"roleSeq":0,"epoch":""}')).to.equal(null);
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY","primaryLost":false,"epoch":"e"}')).to.equal(null);
    expect(parseWire('{"t":"as-change","seq":1,"change":"x"}')).to.equal(null);
    expect(parseWire('{"t":"as-ack","origin":"cm","seq":1}')).to.equal(null);
    expect(parseWire('{"t":"as-hello","node":"cms-primary","role":"ACTIVE"}')).to.equal(null);
  });
});
