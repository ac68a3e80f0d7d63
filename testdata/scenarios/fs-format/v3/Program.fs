module App.Program

let Run () : string =
    let name = "world"
    let count = 3
    sprintf "[%s|%d]" (name.ToUpperInvariant()) (count + 10)
