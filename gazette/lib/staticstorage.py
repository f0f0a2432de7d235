"""WhiteNoise's storage for collected static files, its compressed copies made
as readable as the files they copy.

Gazette runs with a private umask (settings.py); the storage gives the files it
saves its own `file_permissions_mode`, but WhiteNoise writes the .gz and .br
copies itself, so they would be readable by their owner alone and a web server
in front could not serve them.
"""

import os

# WhiteNoise ships no type information.
from whitenoise.compress import Compressor  # type: ignore[import-untyped]
from whitenoise.storage import (  # type: ignore[import-untyped]
    CompressedManifestStaticFilesStorage as WhiteNoiseStorage,
)


class _ReadableCompressor(Compressor):
    def __init__(self, *args, mode: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode

    def write_data(self, path, data, suffix, stat_result):
        filename = super().write_data(path, data, suffix, stat_result)
        if self.mode is not None:
            os.chmod(filename, self.mode)
        return filename


class CompressedManifestStaticFilesStorage(WhiteNoiseStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return _ReadableCompressor(mode=self.file_permissions_mode, **kwargs)
