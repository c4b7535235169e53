import pytest

from certhub.core.actors import SYSTEM


@pytest.fixture
def key_dir(settings, tmp_path):
    """A key directory of the test's own, so that file modes and contents can be checked."""
    settings.KEY_DIR = tmp_path / "keys"
    return settings.KEY_DIR


@pytest.fixture
def seal_key(world, key_dir):
    from certhub.seal.actions import do_create_seal_key

    return do_create_seal_key(actor=SYSTEM)
