"""Import CRM exports: read any file, recognise its CRM, map, validate, load atomically."""
