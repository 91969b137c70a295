"""What the tests share, by role (tests/conftest.py keeps only pytest's fixtures and hooks):

- support.paths: the repository, the default story and notebooks, the default brief's page
- support.dataset: the small synthetic dataset and its writer
- support.rendering: `reactions render` and `reactions publish` as the tests run them
- support.notebooks: notebooks made for a test (a failing cell added, tiny pages)
- support.processes: waiting for a positive signal with a hang deadline; the kernel trap

The tests folder is on sys.path ([tool.pytest.ini_options] pythonpath), so `support` is
imported by name, as `fixtures` is."""
