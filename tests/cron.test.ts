import { dailyCron, formatClock, parseClock, parseCron } from "../components/cron";

describe("parseCron: stack-back's grammar, one fixed daily start", () => {
    test.each([
        ["0 2 * * *", 120],
        ["30 23 * * *", 23 * 60 + 30],
        ["59 23 * * *", 1439],
        ["  5 0 * * *  ", 5],
        ["5\t1   * * *", 65],
        // the other fields may be plain numbers at their bounds too
        ["0 0 1 1 0", 0],
        ["0 0 31 12 7", 0],
    ])("%j starts at minute %i of the day", (expression, minute) => {
        expect(parseCron(expression)).toEqual({ start: { minuteOfDay: minute }, problems: [] });
    });

    test.each([
        ["0 2 * *", ['"0 2 * *" has 4 fields; write five, "M H * * *", e.g. "10 3 * * *"']],
        [
            "*/5 2 * * *",
            ['the minute field "*/5" is not a plain number or "*": stack-back ignores ranges, steps, lists and names and silently runs at 02:00 instead'],
        ],
        ["0 1-3 * * *", [expect.stringMatching(/^the hour field "1-3" is not a plain number/)]],
        ["60 2 * * *", ["the minute field 60 is outside 0-59"]],
        ["0 24 * * *", ["the hour field 24 is outside 0-23"]],
        ["0 2 0 * *", ["the day of month field 0 is outside 1-31"]],
        ["0 2 32 * *", ["the day of month field 32 is outside 1-31"]],
        ["0 2 * 13 *", ["the month field 13 is outside 1-12"]],
        ["0 2 * * 8", ["the day of week field 8 is outside 0-7"]],
        ["60 1-3 * * *", ["the minute field 60 is outside 0-59", expect.stringMatching(/^the hour field "1-3"/)]],
        ["* 2 * * *", ['"* 2 * * *" runs more than once a day; give a fixed minute and hour ("M H * * *") so that the group\'s backups can be kept apart']],
        ["0 * * * *", [expect.stringMatching(/runs more than once a day/)]],
        // a broken field is reported alone: "more than once a day" would only repeat it
        ["* 1-3 * * *", [expect.stringMatching(/^the hour field "1-3"/)]],
    ])("%j is refused with its fix", (expression, problems) => {
        expect(parseCron(expression)).toEqual({ problems });
    });
});

describe("clock and daily cron, wrapped into one day", () => {
    test.each([
        [0, "0 0 * * *"],
        [150, "30 2 * * *"],
        [1439, "59 23 * * *"],
        [1440 + 10, "10 0 * * *"],
        [-10, "50 23 * * *"],
        [59.6, "0 1 * * *"],
    ])("dailyCron(%d) is %j", (minute, cron) => expect(dailyCron(minute)).toBe(cron));

    test.each([
        [0, "00:00"],
        [125, "02:05"],
        [1439, "23:59"],
        [1440, "00:00"],
        [-1, "23:59"],
        [1450.4, "00:10"],
    ])("formatClock(%d) is %j", (minute, clock) => expect(formatClock(minute)).toBe(clock));

    test.each([
        ["02:00", 120],
        ["2:05", 125],
        [" 19:30 ", 1170],
        ["20:00", 1200],
        ["23:59", 1439],
        ["00:00", 0],
    ])("parseClock(%j) is %i", (clock, minute) => expect(parseClock(clock)).toBe(minute));

    test.each(["24:00", "12:60", "1:5", "002:00", "02:000", "ab:cd", "0200", "x02:00", "02:00x", ""])("parseClock(%j) is undefined", (clock) =>
        expect(parseClock(clock)).toBeUndefined(),
    );
});
