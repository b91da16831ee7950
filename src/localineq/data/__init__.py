"""Stage 1, data: from the pinned official files to tidy, validated tables.

``fetch`` pins, verifies, mirrors and downloads the raw files; ``readers`` and ``lookups`` parse them with
named rules for their quirks, ``codes`` checks every area code, and ``metadata`` reads the
publisher's indicator definitions; ``geography`` and ``harmonise`` put every series on the April 2023
local authorities and the ITL hierarchy; ``weights``, ``indicators``, ``validation`` and
``neighbourhoods`` build the analysis-ready tables. Modules here may import each other and
``localineq.config``, but no other localineq subpackage: data never depends on how it is
analysed or shown.
"""
