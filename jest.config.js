/** Two projects: node (core, cloud functions, local cloud, contract) and pages (miniprogram-simulate). */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  // CI machines are small and shared: a slow call is not a failure (speed is measured by `npm run bench`).
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{core,functions,contract,localcloud,fuzz}/**/*.test.ts'],
      transform: { '^.+\\.(t|j)s$': swc },
      // @noble ships ES modules only.
      transformIgnorePatterns: ['/node_modules/(?!(@noble)/)'],
      setupFiles: ['<rootDir>/test/helpers/node-setup.ts'],
    },
    {
      displayName: 'pages',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/pages/**/*.test.ts'],
      transform: { '^.+\\.(t|j)s$': swc },
      transformIgnorePatterns: ['/node_modules/(?!(tdesign-miniprogram|dayjs)/)'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/page-setup.ts'],
      // Pages import TDesign the way WeChat resolves it: from the built miniprogram_npm.
      // wcc's output is cached across page loads and runs (see the helper): compile once, not per page.
      moduleNameMapper: {
        '^tdesign-miniprogram/(.*)$': '<rootDir>/miniprogram/miniprogram_npm/tdesign-miniprogram/$1',
        '^miniprogram-compiler$': '<rootDir>/test/helpers/cached-compiler.js',
      },
    },
  ],
};
