#!/usr/bin/env python
from gazette.__main__ import main

if __name__ == "__main__":
    main()
