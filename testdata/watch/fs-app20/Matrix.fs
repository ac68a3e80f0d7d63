// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Matrix

type MatrixItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "matrix-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 16 + 14

let total (items: MatrixItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: MatrixItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Statistics.scale x + 1
