// The age library (age-encryption, an ES module) in a child process, for jest, whose module
// runtime cannot load ES modules: reads {op, ...} as JSON on stdin, writes the result on stdout.
import * as age from "age-encryption";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
if (request.op === "keygen") {
    const identity = await age.generateX25519Identity();
    process.stdout.write(JSON.stringify({ identity, recipient: await age.identityToRecipient(identity) }));
} else if (request.op === "encrypt") {
    const encrypter = new age.Encrypter();
    for (const r of request.recipients) encrypter.addRecipient(r);
    process.stdout.write(JSON.stringify({ text: age.armor.encode(await encrypter.encrypt(request.text)) }));
} else if (request.op === "decrypt") {
    const decrypter = new age.Decrypter();
    for (const id of request.identities) decrypter.addIdentity(id);
    try {
        process.stdout.write(JSON.stringify({ text: await decrypter.decrypt(age.armor.decode(request.text), "text") }));
    } catch (error) {
        process.stdout.write(JSON.stringify({ error: error.message }));
    }
} else {
    process.exit(2);
}
