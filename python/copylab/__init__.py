"""copylab for Python: run `copylab serve`, the offline AWS Backup copy-job lab, from tests and scripts.

`CopylabServer` (also named `ThreadedCopylabServer`, after moto's `ThreadedMotoServer`) starts the
server on a free loopback port; the pytest plugin gives a `copylab` fixture and the
`copylab_scenario` marker. See docs/python.md.
"""

from ._server import DEFAULT_ACCOUNT, DEFAULT_REGION, CopylabError, CopylabServer, ThreadedCopylabServer, binary_path

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "CopylabError",
    "CopylabServer",
    "ThreadedCopylabServer",
    "binary_path",
]
