import { selectedProjects } from './run-tests';

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
  ])('reads %j as %j', (args, projects) => {
    expect(selectedProjects(args)).toEqual(projects);
  });
});
