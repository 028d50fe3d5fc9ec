// Types for cli-node-options.mjs (the build script is plain JavaScript).
export declare const CLI_NODE_OPTIONS: string[];
