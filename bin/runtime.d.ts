export declare const LOG_VERIFY_NODE_FLAGS: readonly string[];
export declare function verifiesLogs(argv: readonly string[]): boolean;
export declare function execForLogVerification(script: string, argv: readonly string[]): void;
export declare function scans(argv: readonly string[]): boolean;
export declare function boundsHeap(argv: readonly string[]): boolean;
export declare function evaluates(argv: readonly string[]): boolean;
