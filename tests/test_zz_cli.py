import subprocess, sys, os, pytest
from pathlib import Path
pytestmark = pytest.mark.django_db(transaction=True)
def test_cli(live_server, world, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    st = str(Path(sys.executable).parent / "schemathesis")
    done = subprocess.run([st, "run", f"{live_server.url}/api/v1/openapi.json", "--checks", "all", "--max-examples", "10",
        "--workers", "1", "--no-color", "--seed", "1", "--continue-on-failure", "-H", f"X-API-Key: {os.environ.get('K','')}"] ,
        capture_output=True, text=True, timeout=900)
    Path("/tmp/deploy-cli.out").write_text(done.stdout + done.stderr)
