import packageJson from '../../package.json' with { type: 'json' };

/** What `phantom_build_info` reports: the package version and the Node.js version running it. */
export const BUILD_INFO = { version: packageJson.version, nodeVersion: process.versions.node } as const;
