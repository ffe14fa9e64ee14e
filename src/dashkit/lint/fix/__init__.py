"""`dashkit lint --fix`: fixers for the mechanical findings, registered by rule code (registry.fixes), run by the
engine over JSON files (engine.fix_documents), which are written back in their own layout (writer); report says what
was done."""
