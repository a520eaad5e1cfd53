import { jestArguments, selectedProjects } from './run-tests';

describe('selectedProjects', () => {
  it.each([
    [[], ['unit', 'integration', 'e2e']],
    [['--selectProjects', 'unit'], ['unit']],
    [['--selectProjects=unit'], ['unit']],
    [
      ['--selectProjects', 'unit', 'e2e', '--runInBand'],
      ['unit', 'e2e'],
    ],
    [['--selectProjects=integration,e2e'], ['integration', 'e2e']],
    [
      ['-t', 'health'],
      ['unit', 'integration', 'e2e'],
    ],
    [['--selectProjects', 'e2e', 'test/saga'], ['e2e']],
  ])('reads %j as %j', (args, projects) => {
    expect(selectedProjects(args)).toEqual(projects);
  });
});

describe('jestArguments', () => {
  it.each([
    [
      ['--selectProjects', 'e2e', 'test/shipping'],
      ['test/shipping', '--selectProjects', 'e2e'],
    ],
    [
      ['--selectProjects=unit,integration', 'apps/payment', '-t', 'seed'],
      ['apps/payment', '-t', 'seed', '--selectProjects', 'unit', 'integration'],
    ],
    [
      ['apps/order', '--runInBand'],
      ['apps/order', '--runInBand'],
    ],
  ])('passes %j to Jest as %j: the paths filter, the selection stays last', (args, expected) => {
    expect(jestArguments(args)).toEqual(expected);
  });
});
