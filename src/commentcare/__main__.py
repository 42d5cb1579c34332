from commentcare.cli import main

raise SystemExit(main())
