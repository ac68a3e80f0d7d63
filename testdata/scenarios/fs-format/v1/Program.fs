module App.Program

let Run () : string =
    let name = "world"
    let count = 3
    sprintf "hello %s, count=%d" name count
