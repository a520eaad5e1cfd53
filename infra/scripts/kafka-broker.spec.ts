import { newClusterId, renderServerProperties } from './kafka-broker';
import { javaMajorVersion } from './preflight';

describe('renderServerProperties', () => {
  it('fills every placeholder', () => {
    expect(
      renderServerProperties('listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT}\nlog.dirs=${DATA_DIR}', {
        KAFKA_PORT: 9092,
        DATA_DIR: '/tmp/data',
      }),
    ).toBe('listeners=PLAINTEXT://127.0.0.1:9092\nlog.dirs=/tmp/data');
  });

  it('refuses a placeholder it has no value for', () => {
    expect(() => renderServerProperties('port=${MISSING}', {})).toThrow('no value for ${MISSING}');
  });
});

describe('newClusterId', () => {
  it('makes a 22-character URL-safe base64 id, new each time', () => {
    // Act
    const [a, b] = [newClusterId(), newClusterId()];

    // Assert
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });

  it("never starts with '-', which the storage tool would take for an option", () => {
    // 1 in 64 random ids would; 2,000 tries miss that with a chance of about 1e-14.
    const ids = Array.from({ length: 2000 }, newClusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
  });
});

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['command not found', undefined],
  ])('reads %s as %s', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});
