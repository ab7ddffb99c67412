# Reads a Prometheus text exposition on stdin with the Prometheus project's own parser (its Python
# client, Debian's python3-prometheus-client) and prints what it read as JSON: one object per metric
# family, {name, type, help, samples: [{name, labels, value}]}, non-finite values as "+Inf"/"-Inf"/"NaN".
# A line the parser refuses ends it with a traceback and a non-zero exit.
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def number(value):
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


families = [
    {
        "name": family.name,
        "type": family.type,
        "help": family.documentation,
        "samples": [
            {"name": sample.name, "labels": sample.labels, "value": number(sample.value)}
            for sample in family.samples
        ],
    }
    for family in text_string_to_metric_families(sys.stdin.read())
]
json.dump(families, sys.stdout)
