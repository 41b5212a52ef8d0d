/**
 * Diagnostics: every problem the front end finds is data with a stable code and a place.
 * The front end never throws on user input; callers decide what is fatal.
 */

/** Where something is in a script: 1-based line and column. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  /** Column just after the last character (1-based, exclusive). */
  endColumn: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  span: SourceSpan;
  /** The message exactly as WinSCP prints it where WinSCP has one. */
  message: string;
}

/**
 * Catalogue of diagnostic codes. The numbers are stable; the messages live next to the code
 * that raises them because most of them must match WinSCP's texts verbatim.
 */
export const DiagnosticCodes = {
  UnknownCommand: 'WS1001',
  AmbiguousCommand: 'WS1002',
  MissingParameter: 'WS1003',
  TooManyParameters: 'WS1004',
  UnknownSwitch: 'WS1005',
  BadSwitchValue: 'WS1006',
  UnterminatedQuote: 'WS1007',
  BadSessionUrl: 'WS1008',
  UnmappedDrive: 'WS1009',
  BadEncoding: 'WS1010',
  BadOption: 'WS1011',
  BadMask: 'WS1012',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

export function diag(code: DiagnosticCode, span: SourceSpan, message: string, severity: Severity = 'error'): Diagnostic {
  return { code, severity, span, message };
}

/** `FILE:LINE:COL: message`, the format `/check` prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  return `${d.span.file}:${d.span.line}:${d.span.column}: ${sev}${d.message}`;
}
