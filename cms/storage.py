"""Static file storage: whitenoise's compressed, hashed files, tolerant of missing source maps.

wagtail-nhsuk-frontend's CSS ends with a sourceMappingURL comment naming a .map file the
package does not ship, and Django's manifest storage refuses to collect a file whose
references are missing. Source maps are a developer convenience, so their comments are
left as they are rather than rewritten to hashed names.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (
            extension,
            tuple(
                pattern
                for pattern in extension_patterns
                if "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])
            ),
        )
        for extension, extension_patterns in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
