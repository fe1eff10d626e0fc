import type { ReportFormat } from './types.js';

export const jsonFormat: ReportFormat = {
  name: 'json',
  file: 'report.json',
  render: ({ report }) => `${JSON.stringify(report, null, 2)}\n`,
};
