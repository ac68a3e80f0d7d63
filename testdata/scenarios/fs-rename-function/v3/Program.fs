module App.Program

let compute (x: int64) = x * 1000000000000L

let Run () : string =
    "result " + string (compute 4L)
