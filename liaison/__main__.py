from liaison import main

main()
