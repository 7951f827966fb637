"""The field app: the grid worker's offline-first pages and its service worker."""
