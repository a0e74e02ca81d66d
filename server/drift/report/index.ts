/** Report renderers by format name. */
import { renderHtml } from './html';
import { renderJunit } from './junit';
import { renderText } from './text';
import type { DriftReport } from './types';

export type ReportFormat = 'json' | 'html' | 'junit' | 'text';
export const REPORT_FORMATS: ReportFormat[] = ['json', 'html', 'junit', 'text'];

export function renderReport(report: DriftReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'html') return renderHtml(report);
  if (format === 'junit') return renderJunit(report);
  return renderText(report);
}
