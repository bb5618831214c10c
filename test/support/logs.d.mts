export declare const TEST_LOG_DIR: string;
export declare const API_KEY_IN_TEXT: RegExp;
export declare function newLogFile(label: string): string;

export interface LogScan {
  files: number;
  lines: number;
  failedAuthLines: number;
  /** `file:line` of every line that holds something shaped like an API key (the key itself cut). */
  leaks: string[];
}
export declare function scanLogs(dir?: string): LogScan;
export declare function clearLogs(): void;
