module App.Program

let helper (x: int) : string =
    "v3: " + string (x * 2)

let triple (x: int) = x * 3 + 1

let describe (name: string) (n: int) = sprintf "%s=%d" name n

let Run () : string =
    helper (triple 7) + " " + describe "n" (triple 2)
