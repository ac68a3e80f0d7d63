// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Taxes

type TaxesItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "taxes-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 9 + 7

let total (items: TaxesItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: TaxesItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Shipping.scale x + 1
