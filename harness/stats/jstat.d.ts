// Types for the part of jstat the statistics use (jstat ships none): the normal distribution's CDF and quantile.
// An ambient declaration, so it is visible wherever `import jstat from 'jstat'` is compiled.

declare module 'jstat' {
  interface NormalDistribution {
    /** P(X ≤ x) for X ~ N(mean, sd²). */
    cdf(x: number, mean: number, sd: number): number;
    /** The p-quantile of N(mean, sd²). */
    inv(p: number, mean: number, sd: number): number;
  }
  const jstat: { jStat: { normal: NormalDistribution } };
  export default jstat;
}
