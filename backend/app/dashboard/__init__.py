"""The browser dashboard: static HTML, CSS and ES modules served by the app at `/` (no build step).

`static/vendor/` holds third-party files copied from npm with their licences (see its README.md).
"""
