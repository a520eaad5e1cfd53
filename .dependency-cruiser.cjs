/**
 * A test file of any of the three Jest projects, or a fixture in an app's or a library's own `test/`
 * folder (which only its tests import).
 */
const TEST_FILE = '(\\.(spec|int-spec|e2e-spec)\\.ts$|/test/.+\\.ts$)';

/**
 * Architecture rules, checked by `npm run lint` (STYLE.md habits 8 and 11). Who may import whom among
 * the test libraries: `@saga/test-kit` (libs/test-kit) is the low-level kit, below every production
 * library, and the libraries' own tests use it; `@saga/testing` (libs/testing) is the saga harness and
 * the audit, built on the production libraries, for the apps' tests, test/, bench/ and infra/scripts;
 * `@saga/provisioning` (libs/provisioning) is dev tooling (the services' database roles) for infra/scripts
 * and the harness. infra/scripts/architecture-rules.spec.ts shows each rule catching a violation.
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
      comment: 'Test helpers (the kit, the harness) and tests stay out of what ships and out of dev tooling.',
      severity: 'error',
      from: { path: '^(apps|libs/(?!test-kit/|testing/))', pathNot: TEST_FILE },
      to: { path: `(^libs/(test-kit|testing)/|^test/|${TEST_FILE})` },
    },
    {
      name: 'shipped-code-never-imports-dev-provisioning',
      comment: "@saga/provisioning sets up a developer's or a test's PostgreSQL; no service needs it to run.",
      severity: 'error',
      from: { path: '^(apps/|libs/(?!test-kit/|testing/|provisioning/))', pathNot: TEST_FILE },
      to: { path: '^libs/provisioning/' },
    },
    {
      name: 'test-kit-depends-on-no-production-code',
      comment:
        "The libraries' own tests use the kit: were it built on a library, that library would be tested " +
        'with itself (STYLE.md habit 11). It may use @saga/common only, which is below every library and ' +
        'whose own tests never use the kit.',
      severity: 'error',
      from: { path: '^libs/test-kit/' },
      to: { path: '^(apps|infra|test|bench)/|^libs/(?!test-kit/|common/|testing/)' },
    },
    {
      name: 'test-kit-never-imports-the-harness',
      comment: 'The harness is built on the kit, never the other way round.',
      severity: 'error',
      from: { path: '^libs/test-kit/' },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'common-tests-never-use-the-kit',
      comment: 'The kit is built on @saga/common: its tests would test it with itself.',
      severity: 'error',
      from: { path: `^libs/common.*${TEST_FILE}` },
      to: { path: '^libs/(test-kit|testing)/' },
    },
    {
      name: 'lib-tests-use-the-kit-not-the-harness',
      comment:
        "A library's own tests use @saga/test-kit, never @saga/testing nor @saga/provisioning, which " +
        'are built on the production libraries (STYLE.md habit 11).',
      severity: 'error',
      from: { path: `^libs/(?!testing/)([^/]+).*${TEST_FILE}` },
      to: { path: '^libs/(testing|provisioning)/', pathNot: '^libs/$1/' },
    },
    {
      name: 'apps-and-libs-never-import-infra',
      comment:
        'infra/ and bench/ are tooling on top of the platform; what the apps and libraries (and their ' +
        'tests) need of them belongs in a library.',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { path: '^(infra|bench)/' },
    },
    {
      name: 'infra-scripts-never-import-tests',
      comment:
        'The scripts (infra:up, the demo, chaos, the audit) may use the test libraries, not the tests.',
      severity: 'error',
      from: { path: '^infra/scripts/', pathNot: TEST_FILE },
      to: { path: `^test/|${TEST_FILE}` },
    },
    {
      name: 'infra-scripts-import-apps-data-only',
      comment:
        'The scripts start the services as processes: of an app they read its data (seeds, migrations, a ' +
        "DTO's schema, the order's statuses), never its modules, services or main.",
      severity: 'error',
      from: { path: '^infra/scripts/' },
      to: { path: '^apps/', pathNot: '^apps/[^/]+/src/(seed|migrations)/|\\.dto\\.ts$|/order-status\\.ts$' },
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
