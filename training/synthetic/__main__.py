"""``python -m training.synthetic``: the same as ``seasky-synth``."""

from .cli import main

raise SystemExit(main())
