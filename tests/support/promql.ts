import { parser as promqlParser } from "@prometheus-io/lezer-promql";

/** How many syntax errors Prometheus' own grammar (lezer-promql) finds in `expr`: 0 when it parses. */
export function promqlErrors(expr: string): number {
    let errors = 0;
    promqlParser.parse(expr).iterate({
        enter: (node) => {
            if (node.type.isError) errors++;
        },
    });
    return errors;
}
