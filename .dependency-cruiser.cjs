/**
 * Architecture rules, checked by `npm run lint` (STYLE.md habit 8).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-app-imports-another-app',
      comment: 'Services talk over Kafka only; an app never imports code of another app.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      comment: 'Libraries are shared by every app; they cannot depend on one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-depend-on-nothing-of-ours',
      comment: 'The contracts library is imported by every service and every future one: it stands alone.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(apps|libs/(?!contracts/)|infra|test)' },
    },
    {
      name: 'production-code-never-imports-tests',
      comment:
        "Test helpers and tests stay out of what ships. A lib or app may keep its tests' fixtures in its own test/ folder.",
      severity: 'error',
      from: {
        path: '^(apps|libs/(?!testing/))',
        pathNot: '(\\.(spec|int-spec|e2e-spec)\\.ts$|^(apps|libs)/[^/]+/test/)',
      },
      to: { path: '(^libs/testing/|^test/|^(apps|libs)/[^/]+/test/|\\.(spec|int-spec|e2e-spec)\\.ts$)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-config-never-imports-kafka',
      comment:
        'One direction only: kafka/ builds clients from the validated config; config/ reads the environment (the Kafka security variables included) and knows no client.',
      severity: 'error',
      from: { path: '^libs/platform/src/config/' },
      to: { path: '^libs/platform/src/kafka/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
