// A TCP relay for the real-engine tier: test containers have their own network namespace on the
// tier's bridge (stack-back finds its own container by hostname == container id, so they cannot
// share the host's), and reach s3rver, which listens on 127.0.0.1 only, through this relay on the
// bridge's gateway address.   node relay.js <listen address> <listen port> <target port>
"use strict";
const net = require("net");

const [address, port, target] = process.argv.slice(2);
const server = net.createServer((client) => {
    const upstream = net.connect(Number(target), "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const close = () => {
        client.destroy();
        upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
});
server.listen(Number(port), address, () => console.log(`relay ${address}:${port} -> 127.0.0.1:${target}`));
