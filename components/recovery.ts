/**
 * The offline recovery kit's recipients (`recovery.ageRecipients`): the age public keys the kit is
 * encrypted to by `npm run recovery-kit` (docs/restore.md, "Break glass").
 *
 * Pure: no import.
 */

/**
 * An age recipient the `age-encryption` library encrypts to: X25519 (`age1` + 58 bech32
 * characters) or the post-quantum hybrid (`age1pq1...`). SSH keys are not its recipients.
 */
const AGE_RECIPIENT = /^age1(pq1)?[02-9ac-hj-np-z]{58,}$/;

/** Why `value` is not an age public key, or undefined. */
export function ageRecipientProblem(value: string): string | undefined {
    return AGE_RECIPIENT.test(value) ? undefined : `"${value}" is not an age public key; give the "age1..." line that "age-keygen -y <identity file>" prints`;
}

/** What to do about a missing or empty list of recipients. */
export const NO_RECIPIENTS = 'list at least one age public key ("age1...", from "age-keygen -y <identity file>") of the operators who keep the recovery kit';

/** Problems with a list of recipients (`where` names it), each with the fix. */
export function recipientProblems(recipients: unknown, where = "recovery.ageRecipients"): string[] {
    if (!Array.isArray(recipients) || recipients.length === 0) return [`${where}: ${NO_RECIPIENTS}`];
    const problems: string[] = [];
    const seen = new Set<unknown>();
    recipients.forEach((r, i) => {
        const problem = typeof r === "string" ? ageRecipientProblem(r) : `${JSON.stringify(r)} is not an age public key`;
        if (problem) problems.push(`${where}[${i}]: ${problem}`);
        else if (seen.has(r)) problems.push(`${where}[${i}]: ${JSON.stringify(r)} is listed twice`);
        seen.add(r);
    });
    return problems;
}
