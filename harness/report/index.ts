// The report package: the mocha reporter, the pure renderers (HTML, JUnit) and the run-record helpers.
// Suites never import this directly: they attach TestEvidence (model.ts) and the reporter does the rest.

export { default as CmshaReporter, writePartialReport } from './reporter.js';
export { renderHtml, sortForReport, describeMeasurement } from './html.js';
export { renderJunit, escapeXml, stripInvalidXmlChars } from './junit.js';
export { renderTimelineSvg } from './timeline-svg.js';
export type { TimelineSvgOptions } from './timeline-svg.js';
export { escapeHtml, formatMs, formatRange, formatDuration } from './format.js';
export {
  defaultRunId,
  pointLatestSync,
  readEnvironment,
  resolveReportOptions,
  RunCollector,
  writeFileAtomicSync,
  writeRunFilesSync,
} from './run-record.js';
export type { CollectedTest, ReportOptions, WrittenReport } from './run-record.js';
export * from '../core/model.js';
