from paperqueue.cli import main

raise SystemExit(main())
