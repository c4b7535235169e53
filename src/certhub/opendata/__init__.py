"""Open data (C2): streamed CSV and JSON Lines exports of the public registry, with a manifest."""
