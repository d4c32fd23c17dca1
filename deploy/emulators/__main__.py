from deploy.emulators.app import main

main()
