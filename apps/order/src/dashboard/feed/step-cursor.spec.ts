import { LOOK_BACK_IDS, StepCursor } from './step-cursor';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe('StepCursor', () => {
  it('hands out each row once, in id order', () => {
    // Arrange
    const cursor = new StepCursor(10);

    // Act
    const first = cursor.take(rows(13, 11, 12));
    const second = cursor.take(rows(11, 12, 13, 14));

    // Assert
    expect(first).toEqual(rows(11, 12, 13));
    expect(second).toEqual(rows(14));
  });

  it('still hands out a lower id that became visible late', () => {
    // Arrange: 12 committed after 13
    const cursor = new StepCursor(10);
    cursor.take(rows(11, 13));

    // Act
    const late = cursor.take(rows(11, 12, 13));

    // Assert
    expect(late).toEqual(rows(12));
  });

  it('skips what the snapshot already sent', () => {
    // Arrange
    const cursor = new StepCursor(20, [18, 20]);

    // Act
    const taken = cursor.take(rows(18, 19, 20, 21));

    // Assert
    expect(taken).toEqual(rows(19, 21));
  });

  it('looks back a bounded number of ids, and forgets ids below it', () => {
    // Arrange
    const cursor = new StepCursor(0);
    cursor.take(rows(5, LOOK_BACK_IDS + 10));

    // Act
    const tooOld = cursor.take(rows(6));

    // Assert
    expect(cursor.floor).toBe(10);
    expect(tooOld).toEqual([]);
  });
});
