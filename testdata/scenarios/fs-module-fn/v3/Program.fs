module App.Program

let helper (x: int) : string =
    "v3: " + string (x * x) + "/" + string (x % 5)

let Run () : string =
    helper 21
