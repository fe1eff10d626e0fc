export declare const LOG_VERIFY_NODE_FLAGS: readonly string[];
export declare function verifiesLogs(argv: readonly string[]): boolean;
export declare function execForLogVerification(script: string, argv: readonly string[]): void;
export declare function scans(argv: readonly string[]): boolean;
export declare function boundsHeap(argv: readonly string[]): boolean;
export declare function evaluates(argv: readonly string[]): boolean;
export declare const EVALUATE_NODE_FLAGS: readonly string[];
export declare const RUNTIME_FLAGS_ENV: string;
export declare function evaluationExecArgv(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[];
