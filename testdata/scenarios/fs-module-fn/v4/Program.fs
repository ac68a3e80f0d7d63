module App.Program

let helper (x: int) : string =
    "v4: " + (string x).PadLeft(5, '*')

let Run () : string =
    helper 21
