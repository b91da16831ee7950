"""Stage 0, configuration: reading and checking ``config/config.yaml`` before any job runs.

``yamlfile`` parses the project's YAML strictly (duplicate keys, YTE templates and syntax
errors refused with their lines) and keeps the line of every key; ``check`` validates the
shape against the JSON schema and the cross-references (sources, indicators, indicator-keyed
blocks), naming the key and line of each problem. This stage imports no other localineq
subpackage; every other stage may import it.
"""
