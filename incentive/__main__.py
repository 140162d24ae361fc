from incentive.cli.main import main

main()
