"""Kernels that execute the book's pages and notebooks talk to their client over CurveZMQ.

ipykernel (7.4) prints ``[IPKernelApp] WARNING | Kernel is running over TCP without
encryption`` on its standard error when it is started without CurveZMQ keys, and
jupyter_client (8.10) provisions such keys only when asked: its
``KernelManager.transport_encryption`` is ``"disabled"`` by default. With ``"auto"`` the
kernel manager generates a key pair for every kernel whose kernelspec declares
``"supported_encryption": ["curve"]`` (ipykernel's own kernelspec does), writes it into
the connection file, and the client and the kernel then encrypt all their traffic.

- Where this project creates the ``NotebookClient`` itself (``_ext/run_exercises.py``,
  the tests), it passes :func:`kernel_config` as its traitlets config; nbclient hands it
  to the kernel manager.
- myst-nb (through jupyter-cache) creates its ``NotebookClient`` with no config and no
  Jupyter config file is read on the way, so the book's Sphinx extension calls
  :func:`encrypt_kernels_by_default`, which changes the trait's default in the build
  process. ``tests/test_book.py`` fails on any WARNING line in the build output.

Both need pyzmq built with libsodium (``zmq.has("curve")``; the PyPI wheels are).
Without it nothing is changed and the warning, and the failing test, say so.
"""

from __future__ import annotations

TRANSPORT_ENCRYPTION = "auto"


def kernel_config():
    """traitlets config for a ``NotebookClient``: its kernels use CurveZMQ."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport_encryption": TRANSPORT_ENCRYPTION}})


def encrypt_kernels_by_default() -> bool:
    """Make CurveZMQ the default for every kernel manager created in this process.

    Returns False (and changes nothing) when pyzmq has no CurveZMQ support or the
    installed jupyter_client has no ``transport_encryption`` setting.
    """
    import zmq
    from jupyter_client.manager import KernelManager

    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is None or not zmq.has("curve"):
        return False
    trait.default_value = TRANSPORT_ENCRYPTION
    return True
