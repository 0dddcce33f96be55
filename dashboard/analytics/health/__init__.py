"""Four-C health scores: presets (config), metric values (metrics) and pure scoring (scoring)."""
